/** `ghcprof push` and `ghcprof agent`: getting artefacts from laptops, CI jobs and pods to the server. */
import { Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, DEFAULT_AGENT_RETRY, type AgentOptions } from '../../agent/agent';
import { labelsFromEnvironment, parseLabelArgs, type Labels } from '../../agent/labels';
import type { ServerTarget } from '../../agent/client';
import { lineLog } from '../../agent/log';
import { NodeAgent } from '../../agent/node-agent';
import { DEFAULT_PUSH_RETRY, push } from '../../agent/push';
import { parseByteSize, parseDuration } from '../../agent/units';
import { COMMAND_SUMMARIES } from './summaries';

interface ServerFlags {
  url: string;
  token?: string;
  tokenFile?: string;
  label: string[];
  gzip: boolean;
  redact: string;
  caFile?: string;
}

interface PushFlags extends ServerFlags {
  retryFor: string;
  partial: boolean;
}

interface AgentFlags extends ServerFlags {
  watch: string;
  eventlogSocket?: string;
  settle: string;
  interval: string;
  poll?: string;
  spool?: string;
  spoolMaxBytes: string;
  deleteAfterUpload: boolean;
  listen?: string;
  drainTimeout: string;
  retryMaxDelay: string;
  layout: 'sidecar' | 'node';
  podGoneAfter: string;
}

const collectRepeated = (value: string, previous: string[]): string[] => [...previous, value];

function serverOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--url <url>', 'ghcprof server base URL').env('GHCPROF_URL').makeOptionMandatory())
    .addOption(
      new Option('--token <token>', 'write-scope token (ghcprof token create --scope write)').env('GHCPROF_TOKEN')
    )
    .addOption(
      new Option('--token-file <file>', 'read the token from this file (a mounted Secret)').env('GHCPROF_TOKEN_FILE')
    )
    .option('--label <name=value>', 'label every upload (repeatable)', collectRepeated, [] as string[])
    .option('--gzip', 'compress uploads on the fly', false)
    .option('--redact <on|off>', "redact secrets in the artefacts' command lines before sending", 'on')
    .addOption(
      new Option('--ca-file <file>', 'PEM certificate(s) to trust for an https:// server').env('GHCPROF_CA_FILE')
    );
}

/** Where and how to send: URL, token, trusted CA, redaction. */
export function targetOf(o: ServerFlags): ServerTarget {
  if (o.redact !== 'on' && o.redact !== 'off') {
    throw new Error(`--redact must be on or off, not "${o.redact}"`);
  }
  let ca: Buffer | undefined;
  if (o.caFile) {
    try {
      ca = readFileSync(o.caFile);
    } catch (err) {
      throw new Error(`--ca-file ${o.caFile}: ${(err as Error).message}`);
    }
  }
  return { url: o.url, token: resolveToken(o), ca, redact: o.redact === 'on' };
}

/** The token from --token, else from --token-file. */
export function resolveToken(o: { token?: string; tokenFile?: string }): string {
  if (o.token) return o.token;
  if (o.tokenFile) {
    const token = readFileSync(o.tokenFile, 'utf8').trim();
    if (!token) throw new Error(`--token-file ${o.tokenFile} is empty`);
    return token;
  }
  throw new Error('a token is needed: --token TOKEN, --token-file FILE, or GHCPROF_TOKEN / GHCPROF_TOKEN_FILE');
}

export function registerCollectCommands(program: Command): void {
  registerPush(program);
  registerAgent(program);
}

function registerPush(program: Command): void {
  serverOptions(
    program.command('push').description(COMMAND_SUMMARIES.push).argument('<files...>', 'artefacts to upload')
  )
    .option('--retry-for <duration>', 'keep retrying transient failures (server down, 5xx, 429) this long', '60s')
    .option('--partial', 'store the complete part of a cut-off artefact (a killed program) instead of failing', false)
    .action(async (files: string[], o: PushFlags) => {
      const results = await push({
        files,
        target: targetOf(o),
        labels: parseLabelArgs(o.label),
        gzip: o.gzip,
        partial: o.partial,
        retry: { ...DEFAULT_PUSH_RETRY, deadlineMs: parseDuration(o.retryFor, '--retry-for') },
        stdout: process.stdout,
        stderr: process.stderr,
      });
      const failed = results.filter((r) => r.error).length;
      if (failed > 0) {
        process.stderr.write(`ghcprof push: ${failed} of ${results.length} file(s) failed\n`);
        process.exitCode = 1;
      }
    });
}

function registerAgent(program: Command): void {
  serverOptions(
    program
      .command('agent')
      .description(COMMAND_SUMMARIES.agent)
      .requiredOption('--watch <dir>', 'directory the Haskell program writes its .prof/.hp/.eventlog into')
  )
    .addOption(
      new Option('--layout <layout>', "sidecar: one program's directory; node: a hostPath tree of pods")
        .choices(['sidecar', 'node'])
        .default('sidecar')
    )
    .option(
      '--pod-gone-after <duration>',
      'node layout: a pod directory unchanged this long is a pod that has gone (final upload, then --delete-after-upload)',
      '1h'
    )
    .option(
      '--eventlog-socket <path>',
      "also stream a live eventlog from this Unix socket (the program listens there with well-typed's eventlog-socket)"
    )
    .option('--settle <duration>', 'a file unchanged this long is finished', '5s')
    .option('--interval <duration>', 'upload new complete samples of growing .hp/.eventlog files this often', '30s')
    .option('--poll <duration>', 'directory scan period (default: settle/2, at most 1s)')
    .option('--spool <dir>', 'durable spool directory (default: WATCH/.ghcprof-spool)')
    .option(
      '--spool-max-bytes <size>',
      'spool size limit (e.g. 256MiB); when full, data waits in the source files',
      '256MiB'
    )
    .option(
      '--delete-after-upload',
      "delete an artefact once it is finished and fully uploaded (node layout: a gone pod's whole directory)",
      false
    )
    .option('--listen <host:port>', 'serve /healthz and /metrics here (e.g. 0.0.0.0:9464)')
    .option('--drain-timeout <duration>', 'on SIGTERM: final scan, then wait this long for the uploads', '20s')
    .option('--retry-max-delay <duration>', 'longest wait between retries while the server is unreachable', '60s')
    .action(async (o: AgentFlags) => {
      if (o.eventlogSocket && o.layout === 'node')
        throw new Error('--eventlog-socket is for the sidecar layout (one program, one socket)');
      const log = lineLog();
      const drainMs = parseDuration(o.drainTimeout, '--drain-timeout');
      const options: AgentOptions = {
        watchDir: o.watch,
        eventlogSocket: o.eventlogSocket,
        target: targetOf(o),
        // Flags win over the downward-API environment.
        labels: { ...agentEnvironmentLabels(o.layout), ...parseLabelArgs(o.label) },
        settleMs: parseDuration(o.settle, '--settle'),
        intervalMs: parseDuration(o.interval, '--interval'),
        pollMs: o.poll ? parseDuration(o.poll, '--poll') : undefined,
        spoolDir: o.spool ?? join(o.watch, '.ghcprof-spool'),
        spoolMaxBytes: parseByteSize(o.spoolMaxBytes, '--spool-max-bytes'),
        deleteAfterUpload: o.deleteAfterUpload,
        listen: o.listen,
        gzip: o.gzip,
        retry: { ...DEFAULT_AGENT_RETRY, maxMs: parseDuration(o.retryMaxDelay, '--retry-max-delay') },
        log,
      };
      const agent =
        o.layout === 'node'
          ? await NodeAgent.start({ ...options, podGoneAfterMs: parseDuration(o.podGoneAfter, '--pod-gone-after') })
          : await Agent.start(options);
      if (agent.address)
        log.info(`agent: /healthz and /metrics on http://${agent.address.address}:${agent.address.port}`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          log.info(
            o.layout === 'node'
              ? `agent: ${signal}: up to ${o.drainTimeout} for the queued uploads (the pods keep running)`
              : `agent: ${signal}: final scan, then up to ${o.drainTimeout} for the uploads`
          );
          agent.shutdown(drainMs).then(() => resolve(), resolve);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
}

/**
 * Labels from the downward-API environment. A node agent runs in its own pod: only its node is its uploads';
 * namespace, pod, container, service and version come from each pod's directory.
 */
function agentEnvironmentLabels(layout: AgentFlags['layout']): Labels {
  const env = labelsFromEnvironment(process.env);
  return layout === 'node' ? (env.node ? { node: env.node } : {}) : env;
}

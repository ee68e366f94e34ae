/** The agent's log: one line per event on stderr, timestamped, so `kubectl logs` reads well. */
export interface AgentLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function lineLog(
  write: (line: string) => void = (line) => process.stderr.write(line),
  now = () => new Date()
): AgentLog {
  const at = (level: string) => (message: string) => write(`${now().toISOString()} ${level} ${message}\n`);
  return { info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
}

export const silentLog: AgentLog = { info() {}, warn() {}, error() {} };

/** Every line of `log` starting with `prefix` (the node agent names the pod a watcher or uploader works for). */
export function prefixedLog(log: AgentLog, prefix: string): AgentLog {
  return {
    info: (m) => log.info(prefix + m),
    warn: (m) => log.warn(prefix + m),
    error: (m) => log.error(prefix + m),
  };
}

import type { SpeedscopeFile } from '../speedscope';

/** Checks what speedscope's schema and importer require of an evented profile; returns the problems found. */
export function speedscopeProblems(file: SpeedscopeFile): string[] {
  const problems: string[] = [];
  if (file.$schema !== 'https://www.speedscope.app/file-format-schema.json') {
    problems.push('bad $schema');
  }
  file.shared.frames.forEach((f, i) => {
    if (typeof f.name !== 'string' || f.name === '') problems.push(`frame ${i} has no name`);
  });
  for (const p of file.profiles) {
    if (p.type !== 'evented' || !['nanoseconds', 'bytes', 'none'].includes(p.unit))
      problems.push(`${p.name}: type/unit`);
    const stack: number[] = [];
    let last = p.startValue;
    for (const e of p.events) {
      if (e.at < last) problems.push(`${p.name}: event at ${e.at} before ${last}`);
      if (e.at > p.endValue) problems.push(`${p.name}: event at ${e.at} after endValue ${p.endValue}`);
      last = e.at;
      if (!Number.isInteger(e.frame) || e.frame < 0 || e.frame >= file.shared.frames.length)
        problems.push(`${p.name}: frame ${e.frame}`);
      if (e.type === 'O') stack.push(e.frame);
      else if (stack.pop() !== e.frame) problems.push(`${p.name}: close of ${e.frame} does not match the open frame`);
    }
    if (stack.length !== 0) problems.push(`${p.name}: ${stack.length} frames left open`);
  }
  return problems;
}

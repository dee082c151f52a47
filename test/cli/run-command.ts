/** What a CLI command writes to: stdout and stderr in production, a string here. */
interface Writable {
  write(chunk: string): unknown;
}

/** A CLI command as the entry point calls it: its arguments and where it writes; resolves to the exit code. */
export type Command = (argv: string[], out: Writable, err: Writable) => Promise<number>;

function capture() {
  let text = '';
  return {
    write: (chunk: string) => (text += chunk),
    get text() {
      return text;
    },
  };
}

/** Runs a CLI command in process and returns its exit code and what it wrote to stdout and stderr. */
export async function runCommand(
  command: Command,
  argv: string[],
): Promise<{ code: number; out: string; err: string }> {
  const out = capture();
  const err = capture();
  const code = await command(argv, out, err);
  return { code, out: out.text, err: err.text };
}

import { serve, serveHelp } from './serve.js';
import { sendSample } from './send.js';
import { simulate } from './simulate.js';
import { decode, keygen, mint } from './tracking-commands.js';
import { token } from './hub-commands.js';
import { VERSION } from '../version.js';

const USAGE = `Mailbeacon ${VERSION}: a sandbox for developers who send mail.

Usage: mailbeacon <command> [flags]

Commands:
  serve                         run the sandbox headless (SMTP, UI + API + hub, tracking endpoints)
  send [--smtp ADDR:PORT]       send a sample tracked mail to a running sandbox
  keygen                        print a new 64-character hex tracking key
  mint open|click|unsub [--url U] [--meta k=v …] [--data-dir D] [--tracking-url T]
                                print a tracking URL minted with the data dir's key
  decode TOKEN [--data-dir D]   print a token's payload as JSON
  mcp [--http URL] [--mcp-write]
                                an MCP server on stdio for AI assistants, acting on a running sandbox
  simulate MESSAGE_ID PROFILE [--link N] [--compress N] [--http URL]
                                simulate a recipient (human-open, apple-mpp, inbox-journey, …) on a caught mail
  token --subscribe SEL [--publish SEL] [--ttl S] [--data-dir D]
                                print a JWT for the live-updates hub
  --help, help [command]        this text, or a command's flags
  --version                     print the version

Run \`mailbeacon serve --help\` for every serve flag.`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  serve,
  send: sendSample,
  simulate,
  keygen: (argv) => keygen(argv),
  mint: (argv) => mint(argv),
  decode: (argv) => decode(argv),
  token: (argv) => token(argv),
  // Loaded on use: the MCP SDK stays out of `serve`'s start.
  mcp: async (argv) => (await import('../mcp/stdio.js')).mcp(argv),
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    if (rest[0] === 'serve') process.stdout.write(`${serveHelp()}\n`);
    else if (rest[0] === 'mcp') process.stdout.write(`${(await import('../mcp/stdio.js')).MCP_HELP}\n`);
    else process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`unknown command "${command}"\n\n${USAGE}\n`);
    return 2;
  }
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exitCode = 1;
  },
);

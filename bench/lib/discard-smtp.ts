// The floor of the SMTP benchmark: smtp-server configured like Mailbeacon's catcher, reading every mail and throwing
// it away. Whatever rate this reaches is the most any smtp-server based catcher can do on this machine.
// Run as its own process (`node --import tsx bench/lib/discard-smtp.ts`); prints {"port": N} once listening.
import { SMTPServer } from 'smtp-server';

const server = new SMTPServer({
  authOptional: true,
  disableReverseLookup: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  size: 50 * 1024 * 1024,
  onData(stream, _session, callback) {
    stream.on('data', () => {});
    stream.on('end', () => callback(null, 'Ok: discarded'));
  },
});

server.listen(0, '127.0.0.1', () => {
  const address = server.server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});

process.once('SIGTERM', () => server.close(() => process.exit(0)));

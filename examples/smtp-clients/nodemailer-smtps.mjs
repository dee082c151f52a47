import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';

const transport = nodemailer.createTransport({
  host: '127.0.0.1',
  port: 1465,
  secure: true,
  tls: { ca: readFileSync('/path/to/smtp-tls.crt') },
});
await transport.sendMail({
  from: 'shop@example.test',
  to: 'ann@example.org',
  subject: 'Hello from Nodemailer over SMTPS',
  text: 'Hi Ann',
});

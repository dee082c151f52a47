import nodemailer from 'nodemailer';

const transport = nodemailer.createTransport({ host: '127.0.0.1', port: 1025, secure: false });
await transport.sendMail({
  from: 'shop@example.test',
  to: 'ann@example.org',
  subject: 'Hello from Nodemailer',
  html: '<p>Hi Ann, <a href="https://example.org/start">get started</a></p>',
});

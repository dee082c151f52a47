// Copy-paste configuration that points a framework's mailer at this sandbox's SMTP listener, in each client's
// default settings (the listener offers no STARTTLS unless --smtp-tls or a certificate turns it on).

export interface SmtpSnippet {
  id: string;
  label: string;
  /** highlight.js language of the snippet. */
  language: string;
  code: string;
}

/** Splits "127.0.0.1:1025" or "[::1]:1025" into host and port; an empty or odd address falls back to the default. */
export function splitAddress(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address.trim());
  if (!m) return { host: '127.0.0.1', port: 1025 };
  // 0.0.0.0 and :: are where it listens, not where to connect.
  const host = m[1] === '0.0.0.0' || m[1] === '::' || m[1] === '' ? '127.0.0.1' : m[1];
  return { host, port: Number(m[2]) };
}

/**
 * `user` is the inbox the mail goes to (the SMTP AUTH user name); an open inbox takes any password, a closed one
 * its own, which the page cannot know, so the snippets hold a placeholder for it.
 */
export function smtpSnippets(address: string, user?: string): SmtpSnippet[] {
  const { host, port } = splitAddress(address);
  const snippets = plainSnippets(host, port);
  return user === undefined
    ? snippets
    : snippets.map((s) => ({ ...s, code: withUser(s.id, s.code, user, host) }));
}

const PASSWORD = 'any-password';

/** A snippet that logs in as `user`: the inbox its mail lands in. */
function withUser(id: string, code: string, user: string, host: string): string {
  const u = JSON.stringify(user);
  const p = JSON.stringify(PASSWORD);
  switch (id) {
    case 'nodemailer':
      return code.replace(
        'secure: false })',
        `secure: false,\n  auth: { user: '${user}', pass: '${PASSWORD}' },\n})`,
      );
    case 'django':
      return code
        .replace('EMAIL_HOST_USER = ""', `EMAIL_HOST_USER = ${u}`)
        .replace('EMAIL_HOST_PASSWORD = ""', `EMAIL_HOST_PASSWORD = ${p}`);
    case 'rails':
      return code.replace(' }', `,\n  user_name: ${u}, password: ${p}, authentication: :plain }`);
    case 'laravel':
      return code
        .replace('MAIL_USERNAME=null', `MAIL_USERNAME=${user}`)
        .replace('MAIL_PASSWORD=null', `MAIL_PASSWORD=${PASSWORD}`);
    case 'spring':
      return `${code}\nspring.mail.username=${user}\nspring.mail.password=${PASSWORD}`;
    case 'go':
      return code
        .replace(
          '// No auth: net/smtp refuses PLAIN auth without TLS except to localhost.',
          `// net/smtp sends PLAIN auth without TLS only to localhost.\n\tauth := smtp.PlainAuth("", ${u}, ${p}, "${host}")`,
        )
        .replace(', nil, "shop', ', auth, "shop');
    case 'dotnet':
      return code
        .replace('using System.Net.Mail;', 'using System.Net;\nusing System.Net.Mail;')
        .replace(
          '{ EnableSsl = false }',
          `{\n    EnableSsl = false, Credentials = new NetworkCredential(${u}, ${p}) }`,
        );
    default:
      return code;
  }
}

function plainSnippets(host: string, port: number): SmtpSnippet[] {
  return [
    {
      id: 'nodemailer',
      label: 'Nodemailer',
      language: 'javascript',
      code: `import nodemailer from 'nodemailer';

const transport = nodemailer.createTransport({ host: '${host}', port: ${port}, secure: false });

await transport.sendMail({
  from: 'shop@example.test',
  to: 'ann@example.org',
  subject: 'Welcome',
  html: '<p>Hi Ann, <a href="https://example.org/start">get started</a></p>',
});`,
    },
    {
      id: 'django',
      label: 'Django',
      language: 'python',
      code: `# settings.py
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "${host}"
EMAIL_PORT = ${port}
EMAIL_USE_TLS = False
EMAIL_HOST_USER = ""
EMAIL_HOST_PASSWORD = ""`,
    },
    {
      id: 'rails',
      label: 'Rails',
      language: 'ruby',
      code: `# config/environments/development.rb
config.action_mailer.delivery_method = :smtp
config.action_mailer.smtp_settings = { address: "${host}", port: ${port} }`,
    },
    {
      id: 'laravel',
      label: 'Laravel',
      language: 'ini',
      code: `# .env
MAIL_MAILER=smtp
MAIL_HOST=${host}
MAIL_PORT=${port}
MAIL_USERNAME=null
MAIL_PASSWORD=null
MAIL_ENCRYPTION=null`,
    },
    {
      id: 'spring',
      label: 'Spring Boot',
      language: 'properties',
      code: `# application.properties
spring.mail.host=${host}
spring.mail.port=${port}`,
    },
    {
      id: 'go',
      label: 'Go net/smtp',
      language: 'go',
      code: `package main

import "net/smtp"

func main() {
	msg := []byte("To: ann@example.org\\r\\n" +
		"Subject: Welcome\\r\\n" +
		"Content-Type: text/html; charset=utf-8\\r\\n\\r\\n" +
		"<p>Hi Ann, <a href=\\"https://example.org/start\\">get started</a></p>\\r\\n")
	// No auth: net/smtp refuses PLAIN auth without TLS except to localhost.
	err := smtp.SendMail("${host}:${port}", nil, "shop@example.test", []string{"ann@example.org"}, msg)
	if err != nil {
		panic(err)
	}
}`,
    },
    {
      id: 'dotnet',
      label: '.NET',
      language: 'csharp',
      code: `using System.Net.Mail;

using var client = new SmtpClient("${host}", ${port}) { EnableSsl = false };
var mail = new MailMessage("shop@example.test", "ann@example.org", "Welcome",
    "<p>Hi Ann, <a href=\\"https://example.org/start\\">get started</a></p>") { IsBodyHtml = true };
client.Send(mail);`,
    },
  ];
}

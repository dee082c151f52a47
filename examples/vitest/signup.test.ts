// Vitest: an in-process Mailbeacon per test file. The app under test would send the mail; nodemailer stands in.
import { expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { useSandbox } from 'mailbeacon/testing/vitest';

const mailbeacon = useSandbox();

it('records the click on the confirmation link', async () => {
  const transport = nodemailer.createTransport(mailbeacon.smtp);
  await transport.sendMail({
    from: 'app@example.com',
    to: 'ada@example.com',
    subject: 'Confirm your address',
    html: '<p>Welcome!</p><a href="https://app.example.com/confirm?token=abc">Confirm my address</a>',
  });

  const mail = await mailbeacon.client.waitForMail({ to: 'ada@example.com', subject: 'Confirm' });
  const click = await mailbeacon.client.click(mail.ID, { text: 'Confirm my address' });
  expect(click.location).toBe('https://app.example.com/confirm?token=abc');

  const event = await mailbeacon.client.waitForEvent({ message: mail.ID, kind: 'click' });
  expect(event.url).toBe('https://app.example.com/confirm?token=abc');
});

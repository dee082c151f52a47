// A Playwright-style test: a real browser opens the caught mail and clicks its tracked link.
import nodemailer from 'nodemailer';
import { expect, test } from './fixtures.js';

test('a click in the browser is recorded', async ({ mailbeacon, page }) => {
  const transport = nodemailer.createTransport(mailbeacon.smtp);
  await transport.sendMail({
    from: 'app@example.com',
    to: 'grace@example.com',
    subject: 'Your invoice',
    html: '<p>Thanks!</p><a href="https://app.example.com/invoices/42">View the invoice</a>',
  });
  const mail = await mailbeacon.client.waitForMail({ to: 'grace@example.com' });
  const { TrackedHTML } = await mailbeacon.client.get(mail.ID);

  // The tracked link redirects to the app; answer for it here, so nothing leaves the machine.
  await page.route('https://app.example.com/**', (route) =>
    route.fulfill({ contentType: 'text/html', body: '<h1>Invoice 42</h1>' }),
  );
  await page.setContent(TrackedHTML);
  await page.getByRole('link', { name: 'View the invoice' }).click();
  await page.waitForURL('https://app.example.com/invoices/42');

  const event = await mailbeacon.client.waitForEvent({ message: mail.ID, kind: 'click' });
  expect(event.url).toBe('https://app.example.com/invoices/42');
  expect(event.ua).not.toContain('HeadlessChrome');
});

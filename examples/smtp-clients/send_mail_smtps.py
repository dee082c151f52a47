import smtplib
import ssl
from email.message import EmailMessage

msg = EmailMessage()
msg["From"] = "shop@example.test"
msg["To"] = "ann@example.org"
msg["Subject"] = "Hello from smtplib over SMTPS"
msg.set_content("Hi Ann")

context = ssl.create_default_context(cafile="/path/to/smtp-tls.crt")
with smtplib.SMTP_SSL("127.0.0.1", 1465, context=context) as smtp:
    smtp.send_message(msg)

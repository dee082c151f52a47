import smtplib
import ssl
from email.message import EmailMessage

msg = EmailMessage()
msg["From"] = "shop@example.test"
msg["To"] = "ann@example.org"
msg["Subject"] = "Hello from smtplib over STARTTLS"
msg.set_content("Hi Ann")

context = ssl.create_default_context(cafile="/path/to/smtp-tls.crt")
with smtplib.SMTP("127.0.0.1", 1025) as smtp:
    smtp.starttls(context=context)
    smtp.send_message(msg)

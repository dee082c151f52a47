import smtplib
from email.message import EmailMessage

msg = EmailMessage()
msg["From"] = "shop@example.test"
msg["To"] = "ann@example.org"
msg["Subject"] = "Hello from smtplib"
msg.set_content("Hi Ann")

with smtplib.SMTP("127.0.0.1", 1025) as smtp:
    smtp.send_message(msg)

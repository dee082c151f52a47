require "net/smtp"

msg = <<~MAIL
  From: shop@example.test
  To: ann@example.org
  Subject: Hello from Ruby

  Hi Ann
MAIL

smtp = Net::SMTP.new("127.0.0.1", 1025)
smtp.enable_starttls_auto # as Rails' Action Mailer does by default
smtp.start("localhost") do |session|
  session.send_message(msg, "shop@example.test", "ann@example.org")
end

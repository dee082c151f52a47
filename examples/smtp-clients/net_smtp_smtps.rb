require "net/smtp"

msg = <<~MAIL
  From: shop@example.test
  To: ann@example.org
  Subject: Hello from Ruby over SMTPS

  Hi Ann
MAIL

smtp = Net::SMTP.new("127.0.0.1", 1465)
smtp.enable_tls # Rails: smtp_settings = { address: "127.0.0.1", port: 1465, tls: true }
smtp.start("localhost") do |session|
  session.send_message(msg, "shop@example.test", "ann@example.org")
end

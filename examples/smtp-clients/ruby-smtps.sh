SSL_CERT_FILE=/path/to/smtp-tls.crt ruby net_smtp_smtps.rb

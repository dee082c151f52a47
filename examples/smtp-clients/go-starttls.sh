SSL_CERT_FILE=/path/to/smtp-tls.crt go run send.go

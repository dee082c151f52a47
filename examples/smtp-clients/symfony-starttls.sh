MAILER_DSN=smtp://127.0.0.1:1025 php -d openssl.cafile=/path/to/smtp-tls.crt symfony.php

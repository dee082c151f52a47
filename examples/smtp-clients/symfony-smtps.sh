MAILER_DSN=smtps://127.0.0.1:1465 php -d openssl.cafile=/path/to/smtp-tls.crt symfony.php

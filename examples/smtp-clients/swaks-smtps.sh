swaks --server 127.0.0.1:1465 --from shop@example.test --to ann@example.org --tls-on-connect --tls-verify --tls-ca-path /path/to/smtp-tls.crt

swaks --server 127.0.0.1:1025 --from shop@example.test --to ann@example.org

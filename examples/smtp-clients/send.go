package main

import "net/smtp"

func main() {
	msg := []byte("From: shop@example.test\r\n" +
		"To: ann@example.org\r\n" +
		"Subject: Hello from Go\r\n" +
		"\r\n" +
		"Hi Ann\r\n")
	err := smtp.SendMail("127.0.0.1:1025", nil, "shop@example.test", []string{"ann@example.org"}, msg)
	if err != nil {
		panic(err)
	}
}

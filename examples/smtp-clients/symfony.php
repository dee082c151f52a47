<?php
require 'vendor/autoload.php';

use Symfony\Component\Mailer\Mailer;
use Symfony\Component\Mailer\Transport;
use Symfony\Component\Mime\Email;

$mailer = new Mailer(Transport::fromDsn(getenv('MAILER_DSN')));
$mailer->send((new Email())
    ->from('shop@example.test')
    ->to('ann@example.org')
    ->subject('Hello from Symfony Mailer')
    ->text('Hi Ann'));

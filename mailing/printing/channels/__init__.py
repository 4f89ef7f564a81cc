"""The printed channels of mailing.channels: executing a selection set on one of them writes
the recipients queued and leaves the mailing ready; staff then print it (mailings/{id}/print/,
choosing the label sheet or template), and a done print marks the recipients sent."""

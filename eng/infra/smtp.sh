#!/usr/bin/env bash
# Runs a private SMTP server that keeps every message it accepts (Debian's python3-aiosmtpd), in the foreground,
# for Aspire (or eng/test.sh) to track. Nothing is relayed: each message lands as one file in $SMTP_MAILDIR/new/
# (a Maildir), written before the server answers 250.
#   SMTP_MAILDIR  where the mail lands (created on first use)
#   SMTP_PORT     TCP port on 127.0.0.1
# Read the mail with any Maildir reader (`mutt -f $SMTP_MAILDIR`), or as plain files: `cat $SMTP_MAILDIR/new/*`.
set -euo pipefail
SMTP_MAILDIR=${SMTP_MAILDIR:?SMTP_MAILDIR is required}
SMTP_PORT=${SMTP_PORT:-2525}
# The Maildir handler writes to tmp/ then moves to new/: both must exist.
mkdir -p "$SMTP_MAILDIR/tmp" "$SMTP_MAILDIR/new" "$SMTP_MAILDIR/cur"
# /usr/bin/python3: the Debian module is not visible to another python3 earlier on PATH. -n: do not drop to
# 'nobody' (it could not write the Maildir). Its log goes to stderr; the dashboard would show it all as errors.
exec /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$SMTP_MAILDIR" 2>&1

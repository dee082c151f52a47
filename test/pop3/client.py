"""A real POP3 client (Python's poplib) driven by the tests: runs the steps given as JSON, prints the results as JSON.

Retrieved mails are rebuilt from poplib's lines (dot-unstuffed, CRLF stripped) and returned as base64.
"""
import base64
import json
import poplib
import ssl
import sys

host, port, steps = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
out = []
pop = poplib.POP3(host, port, timeout=20)
out.append({"welcome": pop.getwelcome().decode()})
for step in steps:
    op, args = step[0], step[1:]
    try:
        if op == "capa":
            out.append({"capa": sorted(pop.capa().keys())})
        elif op == "stls":
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            pop.stls(ctx)
            out.append({"tls": pop.sock.version()})
        elif op == "login":
            pop.user(args[0])
            out.append({"login": pop.pass_(args[1]).decode()})
        elif op == "stat":
            out.append({"stat": list(pop.stat())})
        elif op == "list":
            out.append({"list": [line.decode() for line in pop.list()[1]]})
        elif op == "uidl":
            out.append({"uidl": [line.decode() for line in pop.uidl()[1]]})
        elif op == "retr":
            resp, lines, octets = pop.retr(args[0])
            out.append({"retr": base64.b64encode(b"\r\n".join(lines) + b"\r\n").decode(), "octets": octets})
        elif op == "top":
            resp, lines, octets = pop.top(args[0], args[1])
            out.append({"top": [line.decode("latin-1") for line in lines]})
        elif op == "dele":
            out.append({"dele": pop.dele(args[0]).decode()})
        elif op == "rset":
            out.append({"rset": pop.rset().decode()})
        elif op == "raw":
            out.append({"raw": pop._shortcmd(args[0]).decode()})
        elif op == "quit":
            out.append({"quit": pop.quit().decode()})
            break
    except poplib.error_proto as err:
        out.append({"error": str(err.args[0].decode() if isinstance(err.args[0], bytes) else err.args[0])})
print(json.dumps(out))

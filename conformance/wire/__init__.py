"""Contract area: every answer ends where its HTTP/1.1 framing says, read from its bytes on a kept-alive connection."""

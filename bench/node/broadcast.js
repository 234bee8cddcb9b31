// What a team would otherwise write as a mock: a minimal Node.js WebSocket server with the `ws`
// package. Every text message any client sends goes to every client (the sender too).
// Usage: node broadcast.js [PORT]   (0 picks one; it is printed as "port N")
const { WebSocketServer } = require('ws');
const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2] || 0), perMessageDeflate: false });
wss.on('listening', () => console.log(`port ${wss.address().port}`));
wss.on('connection', (ws) => {
  ws._socket.setNoDelay(true);
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const text = data.toString();
    for (const client of wss.clients) if (client.readyState === 1) client.send(text);
  });
});
process.on('SIGTERM', () => process.exit(0));

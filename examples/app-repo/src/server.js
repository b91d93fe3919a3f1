import { createServer } from 'node:http'

const port = Number(process.env.PORT ?? 8080)

createServer((request, response) => {
  if (request.url === '/healthz') {
    response.writeHead(200).end('ok')
    return
  }
  response.writeHead(200, { 'content-type': 'text/plain' }).end(`myapp in ${process.env.ENVIRONMENT ?? 'unknown'}\n`)
}).listen(port)

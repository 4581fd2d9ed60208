export default {
  async fetch(request: Request): Promise<Response> {
    return Response.json({ keys: [], path: new URL(request.url).pathname })
  },
}

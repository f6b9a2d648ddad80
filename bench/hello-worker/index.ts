// The baseline for throughput: the least a Worker can do on the same workerd under the same wrangler dev.
export default {
  fetch(): Response {
    return new Response('{"hello":"world"}', { headers: { 'content-type': 'application/json' } });
  },
};

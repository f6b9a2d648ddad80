import { describe, expect, it } from 'vitest';
import { unsafeUrlReason } from '../../src/proxy/index.js';

describe('unsafeUrlReason', () => {
  it.each([
    'https://cdn.example.com/a.mp4', 'http://media.example.org:8080/face.png?x=1', 'https://8.8.8.8/a.png',
    'https://[2606:4700:4700::1111]/a.png', 'https://[::ffff:8.8.8.8]/a.png', 'https://172.32.0.1/a.png', 'https://100.128.0.1/a.png',
    'https://xn--bcher-kva.example/a.png', 'https://[2001:4860::8888]/a',
  ])('accepts the public URL %s', (url) => {
    expect(unsafeUrlReason(url)).toBeNull();
  });

  it.each([
    ['ftp://cdn.example.com/a.mp3', 'http or https'],
    ['file:///etc/passwd', 'http or https'],
    ['https://user:secret@cdn.example.com/a.mp3', 'user name or password'],
    ['https://user@cdn.example.com/a.mp3', 'user name or password'],
    ['not a url', 'not a URL'],
    ['http://localhost:3000/a', 'local or internal'],
    ['http://LOCALHOST./a', 'local or internal'],
    ['http://api.localhost/a', 'local or internal'],
    ['http://printer.local/a', 'local or internal'],
    ['http://metadata.google.internal/computeMetadata', 'local or internal'],
    ['http://router.home.arpa/a', 'local or internal'],
    ['http://intranet/a', 'public host name'],
    ['http://0.0.0.0/a', 'private'],
    ['http://127.0.0.1/a', 'private'],
    ['http://127.1/a', 'private'],
    ['http://0x7f000001/a', 'private'],
    ['http://2130706433/a', 'private'],
    ['http://10.0.0.1/a', 'private'],
    ['http://100.64.0.1/a', 'private'],
    ['http://169.254.169.254/latest/meta-data', 'private'],
    ['http://172.16.5.4/a', 'private'],
    ['http://172.31.255.255/a', 'private'],
    ['http://192.168.1.1/a', 'private'],
    ['http://198.18.0.1/a', 'private'],
    ['http://224.0.0.1/a', 'private'],
    ['http://255.255.255.255/a', 'private'],
    ['http://[::]/a', 'private'],
    ['http://[::1]/a', 'private'],
    ['http://[0:0:0:0:0:0:0:1]/a', 'private'],
    ['http://[::ffff:127.0.0.1]/a', 'private'],
    ['http://[::ffff:192.168.0.1]/a', 'private'],
    ['http://[64:ff9b::10.0.0.1]/a', 'private'],
    ['http://[2002:a00:1::]/a', 'private'],
    ['http://[fc00::1]/a', 'private'],
    ['http://[fd12:3456:789a::1]/a', 'private'],
    ['http://[fe80::1%25eth0]/a', 'not a URL'],
    ['http://[fe80::1]/a', 'private'],
    ['http://[fec0::1]/a', 'private'],
    ['http://[ff02::1]/a', 'private'],
    ['http://[2001:db8::1]/a', 'private'],
  ])('refuses %s (%s)', (url, reason) => {
    expect(unsafeUrlReason(url)).toContain(reason);
  });

  it('lets trusted media origins skip the address rules but not the scheme or credential rules', () => {
    const trusted = new Set(['http://127.0.0.1:8790']);
    expect(unsafeUrlReason('http://127.0.0.1:8790/samples/face.png', trusted)).toBeNull();
    expect(unsafeUrlReason('http://127.0.0.1:8791/samples/face.png', trusted)).toContain('private');
    expect(unsafeUrlReason('http://u:p@127.0.0.1:8790/samples/face.png', trusted)).toContain('password');
  });
});

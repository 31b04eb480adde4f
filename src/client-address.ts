// Who a request comes from, for the sign-in limits (services/sessions.ts): one key per client.
import ipaddr from 'ipaddr.js';

/**
 * The client's address: the socket's, or behind `hops` trusted proxies the X-Forwarded-For entry the farthest of them
 * added (entries further left are the client's own say, and can be forged).
 */
export function clientAddress(
  socket: string | undefined,
  forwardedFor: string | null,
  hops: number,
): string | undefined {
  if (!hops || !forwardedFor) return normalizeAddress(socket);
  const chain = forwardedFor
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  return normalizeAddress(chain[chain.length - hops] ?? chain[0] ?? socket);
}

/**
 * One client, one key: the port dropped (some proxies write ip:port), an IPv4-mapped IPv6 address as IPv4, and an
 * IPv6 address by its /64 (a host gets a whole /64 and could otherwise rotate through it).
 */
export function normalizeAddress(address: string | undefined): string | undefined {
  if (!address) return address;
  let a = address.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(':'));
  if (!ipaddr.isValid(a)) return a;
  let ip = ipaddr.parse(a);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  if (ip.kind() === 'ipv4') return ip.toString();
  return `${(ip as ipaddr.IPv6).parts
    .slice(0, 4)
    .map((p) => p.toString(16))
    .join(':')}::/64`;
}

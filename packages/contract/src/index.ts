/*
 * The chain's wire contract, declared once. The services, the client, the
 * tests and the bench import it; the YAML and JSON files that must repeat it
 * (compose files, task definitions, the gateway's routes) stay literal and
 * checks/ binds them to it. No imports: it runs in the browser too.
 */

/**
 * The members in the order a /start travels through them: the service name
 * (compose service, ECS container, DNS name and meow), the app folder under
 * apps/, and the port `npm run dev` gives it on this machine.
 */
export const CHAIN = [
  { service: 'node-john', app: 'john', devPort: 3001 },
  { service: 'node-paul', app: 'paul', devPort: 3002 },
  { service: 'node-george', app: 'george', devPort: 3003 },
  { service: 'node-ringo', app: 'ringo', devPort: 3004 },
] as const;

export type ChainMember = (typeof CHAIN)[number];
export type ServiceName = ChainMember['service'];

/** The names of the members, in chain order. */
export const SERVICE_NAMES: readonly ServiceName[] = CHAIN.map((member) => member.service);

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

/** The member named `service`. */
export function memberOf(service: ServiceName): ChainMember {
  return CHAIN.find((member) => member.service === service)!;
}

/** The port every member listens on in a container (compose, ECS). */
export const SERVICE_PORT = 3000;

/** What the gateway and the load balancer send to the first member; everything else goes to the client. */
export const PUBLIC_ROUTES = ['/start', '/ping'] as const;

/** The internal route each member serves to the one before it. */
export const HOP_PATH = '/hop';

/** Headers every hop sends the next one (lower case, as Node hands them over). */
export const HEADERS = {
  /** The caller's request id if sane (REQUEST_ID_PATTERN), else a new one; on every log line of every hop. */
  requestId: 'x-request-id',
  /** How many hops the request has made, so a looping NEXT_HOP wiring ends in 508. */
  hopCount: 'x-hop-count',
  /** Milliseconds left of the chain's budget, relative so hops need no shared clock. */
  deadline: 'x-deadline-ms',
} as const;

/** A caller's request id is kept only if it is short and plain; anything else is replaced, never echoed. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The whole chain's time budget unless REQUEST_DEADLINE_MS says otherwise. */
export const DEFAULT_REQUEST_DEADLINE_MS = 2000;

export type ErrorCode =
  | 'bad_request'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'headers_too_large'
  | 'request_timeout'
  | 'bad_gateway'
  | 'gateway_timeout'
  | 'loop_detected'
  | 'internal_error';

/** The JSON body of every error answer; `hop` names the failing member for chain failures. */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
  hop?: string;
  requestId: string;
}

/** Statuses with which a member reports a failure further down the chain, naming the hop in the body. */
export const CHAIN_FAILURE_STATUSES: readonly number[] = [502, 504, 508];

/** An error body as it arrives from elsewhere: the code may be one this contract does not know. */
export type ReceivedErrorBody = Omit<ErrorBody, 'error' | 'requestId'> & { error: string; requestId?: string };

export function isErrorBody(value: unknown): value is ReceivedErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Record<string, unknown>;
  return (
    typeof body.error === 'string' &&
    typeof body.message === 'string' &&
    (body.hop === undefined || typeof body.hop === 'string') &&
    (body.requestId === undefined || typeof body.requestId === 'string')
  );
}

/** The member after `service` in `chain`, or undefined at the end. */
export function nextMember<Member extends { service: string }>(service: string, chain: readonly Member[]): Member | undefined {
  const index = chain.findIndex((member) => member.service === service);
  if (index === -1) throw new Error(`${service} is not a member of the chain (${chain.map((member) => member.service).join(', ')})`);
  return chain[index + 1];
}

/** How a member calls the next one in compose and ECS, `http://node-paul:3000`; empty at the end of the chain. */
export function nextHopUrl(service: ServiceName): string {
  const next = nextMember(service, CHAIN);
  return next ? `http://${next.service}:${SERVICE_PORT}` : '';
}

export function meowOf(service: string, port: number): string {
  return `meow from ${service}:${port}`;
}

/**
 * What GET /start on the first of `services` answers: the meow of every
 * later one, in order. `portOf` gives each one's port (SERVICE_PORT in
 * containers; ephemeral ports in tests).
 */
export function expectedStartAnswer(
  services: readonly string[] = SERVICE_NAMES,
  portOf: (service: string) => number = () => SERVICE_PORT,
): string[] {
  return services.slice(1).map((service) => meowOf(service, portOf(service)));
}

import type { FreshserviceAgent, FreshserviceDepartment, FreshserviceRequester } from '../../freshservice/types.js';
import type { Rng } from '../rng.js';
import type { SandboxAudienceMember } from '../types.js';

/** How a department's contact relates to the Mailchimp audience, so linking code has every case to chew on. */
export type LinkingSituation =
  | 'prime-name'
  | 'prime-name-case'
  | 'head-name'
  | 'domain'
  | 'domain-empty-names'
  | 'near-miss-spelling'
  | 'near-miss-diacritics'
  | 'last-comma-first'
  | 'extra-spaces'
  | 'unsubscribed'
  | 'cleaned'
  | 'archived'
  | 'to-add'
  | 'no-contact'
  | 'ambiguous-name';

export interface LinkingCase {
  department: string;
  situation: LinkingSituation;
  /** What the five kept linking rules (exact names, then domain) should conclude. */
  expected: 'linked:prime-name' | 'linked:head-name' | 'linked:domain' | 'to-add' | 'no-contact';
  note: string;
}

type Person = readonly [first: string, last: string];

interface MemberSpec {
  first: string;
  last: string;
  /** Local part on the department's domain, or a full address on a personal domain. */
  email: string;
  status?: SandboxAudienceMember['status'];
}

interface DepartmentSpec extends LinkingCase {
  domains: string[];
  /** People the MSP supports there; ticket volume and the number of requesters follow it. */
  seats: number;
  prime: Person | null;
  head: Person | null;
  members: MemberSpec[];
}

function spec(
  department: string,
  seats: number,
  domains: string[],
  situation: LinkingSituation,
  expected: LinkingCase['expected'],
  note: string,
  prime: Person | null,
  head: Person | null,
  members: MemberSpec[],
): DepartmentSpec {
  return { department, seats, domains, situation, expected, note, prime, head, members };
}

const plain = (department: string, seats: number, domain: string, prime: Person, head: Person): DepartmentSpec =>
  spec(department, seats, [domain], 'prime-name', 'linked:prime-name', 'prime user is in the audience under the same name', prime, head, [
    { first: prime[0], last: prime[1], email: localPart(prime) },
  ]);

/**
 * The client companies, most important first (a smaller profile keeps the first N).
 * Acme Corporation, Globex and Initech are the biggest by seats.
 */
const DEPARTMENT_SPECS: DepartmentSpec[] = [
  plain('Acme Corporation', 80, 'acmecorp.com', ['Wile', 'Coyote'], ['Marvin', 'Martian']),
  spec('Globex', 60, ['globex.com', 'globexcorp.com'], 'prime-name', 'linked:prime-name', 'prime user in the audience; company has two domains', ['Hank', 'Scorpio'], ['Frank', 'Grimes'], [
    { first: 'Hank', last: 'Scorpio', email: 'hank.scorpio@globexcorp.com' },
  ]),
  plain('Initech', 45, 'initech.com', ['Bill', 'Lumbergh'], ['Peter', 'Gibbons']),
  spec('Umbrella Health', 32, ['umbrellahealth.com'], 'head-name', 'linked:head-name', 'prime user missing from the audience; head user present', ['Albert', 'Wesker'], ['Alexia', 'Ashford'], [
    { first: 'Alexia', last: 'Ashford', email: 'alexia.ashford' },
  ]),
  spec('Stark Logistics', 28, ['starklogistics.com', 'stark-log.com'], 'domain', 'linked:domain', 'neither prime nor head in the audience; a colleague on the second domain is', ['Tony', 'Stark'], ['Happy', 'Hogan'], [
    { first: 'Pepper', last: 'Potts', email: 'pepper.potts@stark-log.com' },
  ]),
  spec('Wayne Dental', 10, ['waynedental.com'], 'near-miss-spelling', 'to-add', 'prime "Jon Smyth" vs member "John Smith" on a personal address (fuzzy suggestion only)', ['Jon', 'Smyth'], null, [
    { first: 'John', last: 'Smith', email: 'johnsmith1978@gmail.com' },
  ]),
  spec('Hooli', 22, ['hooli.com'], 'near-miss-diacritics', 'to-add', 'prime "Zoë Müller" vs member "Zoe Muller" on a personal address (fuzzy suggestion only)', ['Zoë', 'Müller'], null, [
    { first: 'Zoe', last: 'Muller', email: 'zoe.muller@outlook.com' },
  ]),
  spec('Soylent Foods', 18, ['soylentfoods.com'], 'last-comma-first', 'to-add', 'prime "Grace Okafor" vs member FNAME "Okafor, Grace", LNAME "" on a personal address', ['Grace', 'Okafor'], null, [
    { first: 'Okafor, Grace', last: '', email: 'g.okafor@yahoo.com' },
  ]),
  spec('Vandelay Industries', 8, ['vandelay.com'], 'extra-spaces', 'linked:prime-name', 'member FNAME "  Art " LNAME " Vandelay  " on a personal address: links only if whitespace is normalized', ['Art', 'Vandelay'], null, [
    { first: '  Art ', last: ' Vandelay  ', email: 'art.vandelay@icloud.com' },
  ]),
  spec('Cyberdyne Systems', 24, ['cyberdyne.com'], 'domain-empty-names', 'linked:domain', 'only member on the domain has empty FNAME and LNAME', ['Miles', 'Dyson'], ['Sarah', 'Connor'], [
    { first: '', last: '', email: 'it-helpdesk' },
  ]),
  spec('Oscorp', 20, ['oscorp.com'], 'unsubscribed', 'linked:prime-name', 'prime user matches a member who unsubscribed', ['Norman', 'Osborn'], null, [
    { first: 'Norman', last: 'Osborn', email: 'norman.osborn', status: 'unsubscribed' },
  ]),
  spec('Tyrell Corp', 15, ['tyrellcorp.com'], 'cleaned', 'linked:prime-name', 'prime user matches a cleaned (bouncing) member', ['Eldon', 'Tyrell'], null, [
    { first: 'Eldon', last: 'Tyrell', email: 'eldon.tyrell', status: 'cleaned' },
  ]),
  spec('Massive Dynamic', 16, ['massivedynamic.com'], 'archived', 'linked:prime-name', 'prime user matches an archived member', ['Nina', 'Sharp'], null, [
    { first: 'Nina', last: 'Sharp', email: 'nina.sharp', status: 'archived' },
  ]),
  spec('Pied Piper', 12, ['piedpiper.com'], 'to-add', 'to-add', 'prime user named but absent from the audience, no member on the domain', ['Richard', 'Hendricks'], ['Jared', 'Dunn'], []),
  spec('Dunder Mifflin', 19, ['dundermifflin.com'], 'no-contact', 'no-contact', 'no prime or head user and no member on the domain', null, null, []),
  spec('Bluth Company', 13, ['bluthcompany.com'], 'ambiguous-name', 'linked:prime-name', 'two members named "Michael Bluth" (company and personal address)', ['Michael', 'Bluth'], null, [
    { first: 'Michael', last: 'Bluth', email: 'michael.bluth' },
    { first: 'Michael', last: 'Bluth', email: 'mbluth@gmail.com' },
  ]),
  spec('Wonka Industries', 15, ['wonka.com'], 'prime-name-case', 'linked:prime-name', 'member name in capitals: "CHARLIE BUCKET"', ['Charlie', 'Bucket'], null, [
    { first: 'CHARLIE', last: 'BUCKET', email: 'charlie.bucket' },
  ]),
  plain('Nakatomi Trading', 26, 'nakatomi.com', ['Joseph', 'Takagi'], ['Harry', 'Ellis']),
  plain('Sterling Cooper', 21, 'sterlingcooper.com', ['Joan', 'Holloway'], ['Roger', 'Sterling']),
  plain('Aperture Labs', 17, 'aperturelabs.com', ['Caroline', 'Johnson'], ['Cave', 'Johnson']),
  plain('Prestige Worldwide', 9, 'prestigeworldwide.com', ['Brennan', 'Huff'], ['Dale', 'Doback']),
  plain('Monarch Solutions', 12, 'monarchsolutions.com', ['Ishiro', 'Serizawa'], ['Vivienne', 'Graham']),
  plain('Virtucon', 11, 'virtucon.com', ['Nigel', 'Numbers'], ['Frau', 'Farbissina']),
  plain('Black Mesa Research', 22, 'blackmesa.com', ['Eli', 'Vance'], ['Isaac', 'Kleiner']),
  plain('Northwind Traders', 14, 'northwindtraders.com', ['Nancy', 'Davolio'], ['Andrew', 'Fuller']),
];

/** Department name → linking situation, for the linking, sync and demo code. */
export const LINKING_CASES: readonly LinkingCase[] = DEPARTMENT_SPECS.map(({ department, situation, expected, note }) => ({
  department,
  situation,
  expected,
  note,
}));

const FIRST_NAMES = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Elijah', 'Sophia', 'James', 'Isabella', 'Lucas', 'Mia', 'Mason', 'Amelia',
  'Ethan', 'Harper', 'Logan', 'Evelyn', 'Aiden', 'Abigail', 'Daniel', 'Emily', 'Henry', 'Ella', 'Jackson', 'Scarlett',
  'Sebastian', 'Grace', 'Mateo', 'Chloe', 'Owen', 'Priya', 'Arjun', 'Mei', 'Wei', 'Fatima', 'Omar', 'Sofia', 'Diego',
  'Aisha', 'Kwame', 'Ingrid', 'Lars', 'Yuki', 'Hiro', 'Nadia', 'Ivan', 'Chiara', 'Luca', 'Siobhan', 'Declan',
];
const LAST_NAMES = [
  'Anderson', 'Brown', 'Clark', 'Davis', 'Evans', 'Foster', 'Garcia', 'Harris', 'Iyer', 'Johnson', 'Khan', 'Lopez',
  'Martin', 'Nguyen', 'Oduya', 'Patel', 'Quinn', 'Robinson', 'Singh', 'Taylor', 'Usman', 'Vasquez', 'Walker', 'Xu',
  'Young', 'Zhang', 'Murphy', 'Kowalski', 'Rossi', 'Schmidt', 'Novak', 'Hansen', 'Tanaka', 'Okonkwo', 'Petrov',
  'Moreau', 'Silva', "O'Brien", 'Fitzgerald', 'Lindqvist',
];
const JOB_TITLES = ['Office Manager', 'Accountant', 'Sales Executive', 'Operations Lead', 'HR Coordinator', 'Engineer', 'Receptionist', 'Analyst', 'Director', 'Nurse', 'Dentist', 'Warehouse Supervisor'];
const PERSONAL_DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'proton.me', 'hotmail.com'];

const MSP_DOMAIN = 'intego-it.com';
const AGENT_NAMES: Person[] = [
  ['Dana', 'Whitfield'], ['Marcus', 'Lee'], ['Priya', 'Raman'], ['Tom', 'Becker'], ['Sara', 'Lindgren'],
  ['Kofi', 'Mensah'], ['Elena', 'Petrova'], ['Jake', 'Morrison'], ['Aiko', 'Sato'], ['Rafael', 'Ortiz'],
];

export const DEPARTMENT_ID_BASE = 21_000_045_000;
const REQUESTER_ID_BASE = 21_000_300_000;
const AGENT_ID_BASE = 21_000_900_000;

export interface ClientsSeed {
  departments: FreshserviceDepartment[];
  requesters: FreshserviceRequester[];
  agents: FreshserviceAgent[];
  members: SandboxAudienceMember[];
  /** Requester ids per department id, the prime user first when there is one. */
  requestersByDepartment: Map<number, number[]>;
  /** Seats per department id (also the department's `seats` custom field). */
  seatsByDepartment: Map<number, number>;
}

/** ASCII-folded, lower-case, for email local parts: "Zoë Müller" → "zoe.muller". */
function asciiFold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '')
    .toLowerCase();
}

function localPart([first, last]: Person): string {
  return `${asciiFold(first)}.${asciiFold(last)}`;
}

function fullNameKey(first: string, last: string): string {
  return `${first} ${last}`.trim().replace(/\s+/g, ' ').toLowerCase();
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function seedClients(rng: Rng, options: { anchorMs: number; departments: number; audienceMembers: number; seatScale: number }): ClientsSeed {
  const { anchorMs } = options;
  const specs = chooseSpecs(rng, options.departments);
  const usedEmails = new Set<string>();
  const uniqueEmail = (local: string, domain: string): string => {
    let candidate = `${local}@${domain}`;
    for (let n = 2; usedEmails.has(candidate); n += 1) candidate = `${local}${n}@${domain}`;
    usedEmails.add(candidate);
    return candidate;
  };
  const reservedNames = new Set<string>();
  for (const s of specs) {
    for (const person of [s.prime, s.head]) if (person) reservedNames.add(fullNameKey(person[0], person[1]));
    for (const m of s.members) reservedNames.add(fullNameKey(m.first, m.last));
  }
  const randomPerson = (): Person => {
    for (;;) {
      const person: Person = [rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES)];
      if (!reservedNames.has(fullNameKey(person[0], person[1]))) return person;
    }
  };
  const daysBefore = (minDays: number, maxDays: number): string => iso(anchorMs - rng.int(minDays * 24, maxDays * 24) * 3_600_000);

  const agents: FreshserviceAgent[] = AGENT_NAMES.map((person, index) => ({
    id: AGENT_ID_BASE + index + 1,
    first_name: person[0],
    last_name: person[1],
    email: uniqueEmail(localPart(person), MSP_DOMAIN),
    department_ids: [],
    active: index !== AGENT_NAMES.length - 1,
  }));

  const departments: FreshserviceDepartment[] = [];
  const requesters: FreshserviceRequester[] = [];
  const members: SandboxAudienceMember[] = [];
  const requestersByDepartment = new Map<number, number[]>();
  const seatsByDepartment = new Map<number, number>();
  const addMember = (first: string, last: string, email: string, status: SandboxAudienceMember['status'], tags: string[]): void => {
    members.push({ email_address: email, status, merge_fields: { FNAME: first, LNAME: last }, tags, last_changed: daysBefore(20, 400) });
  };

  specs.forEach((s, index) => {
    const departmentId = DEPARTMENT_ID_BASE + index + 1;
    const domain = s.domains[0]!;
    const ids: number[] = [];
    const addRequester = (person: Person): number => {
      const id = REQUESTER_ID_BASE + requesters.length + 1;
      const created = daysBefore(200, 1500);
      requesters.push({
        id,
        first_name: person[0],
        last_name: person[1],
        job_title: rng.pick(JOB_TITLES),
        primary_email: uniqueEmail(localPart(person), domain),
        secondary_emails: [],
        department_ids: [departmentId],
        active: true,
        is_agent: false,
        created_at: created,
        updated_at: created,
      });
      ids.push(id);
      return id;
    };
    const primeId = s.prime ? addRequester(s.prime) : null;
    const headId = s.head ? addRequester(s.head) : null;
    const seats = Math.max(4, Math.round(s.seats * options.seatScale));
    // Not everyone raises tickets: about a third of the seats ever did, the prime and head users aside.
    const staff = Math.max(3, Math.round(seats / 3));
    const colleagues: Person[] = [];
    for (let n = 0; n < staff; n += 1) {
      const person = randomPerson();
      colleagues.push(person);
      addRequester(person);
    }
    requestersByDepartment.set(departmentId, ids);
    seatsByDepartment.set(departmentId, seats);
    const created = daysBefore(400, 2000);
    departments.push({
      id: departmentId,
      name: s.department,
      description: `Managed IT client since ${created.slice(0, 4)}`,
      head_user_id: headId,
      prime_user_id: primeId,
      domains: [...s.domains],
      custom_fields: { seats },
      workspace_id: 2,
      created_at: created,
      updated_at: daysBefore(1, 190),
    });

    for (const m of s.members) {
      const address = m.email.includes('@') ? m.email : `${m.email}@${domain}`;
      usedEmails.add(address);
      addMember(m.first, m.last, address, m.status ?? 'subscribed', ['client-contact']);
    }
    // Colleagues on the company's own domain only where the situation allows a domain member.
    if (s.situation === 'prime-name' || s.situation === 'prime-name-case' || s.situation === 'head-name') {
      const extra = rng.int(0, 3);
      for (const person of colleagues.slice(0, extra)) {
        const requester = requesters.find((r) => r.first_name === person[0] && r.last_name === person[1] && r.department_ids[0] === departmentId);
        addMember(person[0], person[1], requester!.primary_email!, 'subscribed', ['newsletter']);
      }
    }
  });

  // The MSP's own reports mailbox: the internal copy of every report (REPORT_COPY_TO in sandbox mode) must be a subscribed member.
  members.push({ email_address: 'reports@sandbox-msp.example', status: 'subscribed', merge_fields: { FNAME: 'Service', LNAME: 'Reports' }, tags: ['internal'], last_changed: new Date(options.anchorMs - 400 * 86_400_000).toISOString() });

  while (members.length < options.audienceMembers) {
    const person = randomPerson();
    const status = rng.weighted<SandboxAudienceMember['status']>([
      ['subscribed', 85],
      ['unsubscribed', 8],
      ['cleaned', 4],
      ['pending', 2],
      ['archived', 1],
    ]);
    addMember(person[0], person[1], uniqueEmail(localPart(person), rng.pick(PERSONAL_DOMAINS)), status, ['newsletter']);
  }

  return { departments, requesters, agents, members, requestersByDepartment, seatsByDepartment };
}

function chooseSpecs(rng: Rng, count: number): DepartmentSpec[] {
  const chosen = DEPARTMENT_SPECS.slice(0, count);
  for (let n = chosen.length + 1; n <= count; n += 1) {
    const name = `Client ${String(n).padStart(2, '0')} Ltd`;
    const domain = `client${n}.com`;
    chosen.push(plain(name, rng.int(8, 30), domain, ['Alex', `Owner${n}`], ['Sam', `Manager${n}`]));
  }
  return chosen;
}

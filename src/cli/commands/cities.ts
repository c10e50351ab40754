/** `scenescout cities list | add`: the cities the catalogue covers. */
import { InvalidArgumentError, type Command } from 'commander';
import { parseCityInput, type City } from '../../contracts/cities.js';
import { contextOf, print, printJson } from '../context.js';
import { table } from '../format.js';

interface AddOptions {
  id: string;
  name: string;
  lat: number;
  lng: number;
  timezone: string;
  radiusM?: number;
  priority?: number;
  ics?: string[];
  jsonld?: string[];
  eventbriteOrg?: string[];
  eventbriteVenue?: string[];
}

export function registerCities(program: Command): void {
  const cities = program.command('cities').description('list or add the cities the catalogue covers');

  cities
    .command('list')
    .description('list cities with their location, priority and configured sources')
    .action(async (_opts, cmd: Command) => {
      const ctx = contextOf(cmd);
      const list = await ctx.api.get<City[]>('/api/cities');
      if (ctx.json) return printJson(ctx.io, list);
      print(ctx.io, renderCities(list));
    });

  cities
    .command('add')
    .description('add a city, or replace the one with the same id (validated here before it is sent)')
    .requiredOption('--id <id>', 'slug: lower-case letters, digits, hyphens and underscores, e.g. new-york')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--lat <degrees>', 'latitude, -90 to 90', number)
    .requiredOption('--lng <degrees>', 'longitude, -180 to 180', number)
    .requiredOption('--timezone <zone>', 'IANA time zone, e.g. Europe/Berlin')
    .option('--radius-m <metres>', 'search radius in metres (100-500000)', number)
    .option('--priority <n>', 'priority 0-100; higher is discovered first', number)
    .option('--ics <url...>', 'iCalendar feed URLs')
    .option('--jsonld <url...>', 'web pages with schema.org Event JSON-LD')
    .option('--eventbrite-org <id...>', 'Eventbrite organization ids')
    .option('--eventbrite-venue <id...>', 'Eventbrite venue ids')
    .action(async (opts: AddOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      // Checked here, against the API's own contract, so a bad city never reaches the server.
      const city = parseCityInput(cityFromOptions(opts));
      const saved = await ctx.api.post<City>('/api/cities', city);
      if (ctx.json) return printJson(ctx.io, saved);
      print(ctx.io, `saved city ${saved.id} (${saved.name}), ${saved.timezone}, sources: ${sourceNames(saved) || 'none'}`);
    });
}

function number(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number');
  return n;
}

export function cityFromOptions(o: AddOptions): Record<string, unknown> {
  const sources: Record<string, unknown> = {};
  if (o.ics?.length) sources.ics = { feeds: o.ics };
  if (o.jsonld?.length) sources.jsonld = { pages: o.jsonld };
  if (o.eventbriteOrg?.length || o.eventbriteVenue?.length) {
    sources.eventbrite = {
      ...(o.eventbriteOrg?.length ? { organizationIds: o.eventbriteOrg } : {}),
      ...(o.eventbriteVenue?.length ? { venueIds: o.eventbriteVenue } : {}),
    };
  }
  return {
    id: o.id,
    name: o.name,
    latitude: o.lat,
    longitude: o.lng,
    timezone: o.timezone,
    ...(o.radiusM !== undefined ? { radiusM: o.radiusM } : {}),
    ...(o.priority !== undefined ? { priority: o.priority } : {}),
    ...(Object.keys(sources).length ? { sources } : {}),
  };
}

function sourceNames(c: City): string {
  return Object.keys(c.sources ?? {}).join(', ');
}

export function renderCities(cities: City[]): string {
  return table(
    cities,
    [
      { header: 'id', value: (c) => c.id },
      { header: 'name', value: (c) => c.name, max: 32 },
      { header: 'lat', value: (c) => c.latitude.toFixed(4), align: 'right' },
      { header: 'lng', value: (c) => c.longitude.toFixed(4), align: 'right' },
      { header: 'radius', value: (c) => (c.radiusM ? `${(c.radiusM / 1000).toFixed(0)} km` : null), align: 'right' },
      { header: 'timezone', value: (c) => c.timezone },
      { header: 'prio', value: (c) => c.priority, align: 'right' },
      { header: 'enabled', value: (c) => (c.enabled ? 'yes' : 'no') },
      { header: 'sources', value: (c) => sourceNames(c) },
    ],
    'no cities; add one with "scenescout cities add"',
  );
}

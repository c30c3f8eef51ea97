import type { Dataset } from '../sources/helpdesk.js';
import type { FreshserviceCsatResponse, FreshserviceTicket, FreshserviceTimeEntry } from './types.js';

/** A ticket exactly as Freshservice returned it (with `stats`), plus its time entries and CSAT response. */
export interface FreshserviceDatasetTicket extends FreshserviceTicket {
  time_entries: FreshserviceTimeEntry[];
  csat_response: FreshserviceCsatResponse | null;
}

/** The helpdesk dataset a Freshservice pull writes, its tickets with every field Freshservice returned. */
export type FreshserviceDataset = Dataset<FreshserviceDatasetTicket>;

import path from 'node:path';
import { z } from 'zod';
import { JsonStore } from './json-store.js';

/** A client's monthly allowance of billable hours, as its contract sets it, and who entered it. */
export interface ContractRecord {
  clientId: number;
  monthlyHours: number;
  setBy: string;
  setAt: string;
}

/** What `contracts.json` must hold. */
export const CONTRACTS_SCHEMA = z.looseObject({
  contracts: z.array(z.looseObject({ clientId: z.number().int(), monthlyHours: z.number().min(0), setBy: z.string(), setAt: z.string() })),
});

/** `DATA_DIR/contracts.json`: one allowance per client, entered from chat or the command line. */
export class ContractStore {
  private readonly store: JsonStore<{ contracts: ContractRecord[] }>;

  constructor(dataDir: string) {
    this.store = new JsonStore<{ contracts: ContractRecord[] }>(path.join(dataDir, 'contracts.json'), () => ({ contracts: [] }), CONTRACTS_SCHEMA);
  }

  async get(clientId: number): Promise<ContractRecord | undefined> {
    return (await this.store.read()).contracts.find((contract) => contract.clientId === clientId);
  }

  /** Sets the allowance, or removes it with `monthlyHours` null. */
  async set(clientId: number, monthlyHours: number | null, by: string, at: string): Promise<ContractRecord | undefined> {
    return this.store.update((data) => {
      data.contracts = data.contracts.filter((contract) => contract.clientId !== clientId);
      if (monthlyHours === null) return undefined;
      const record = { clientId, monthlyHours, setBy: by, setAt: at };
      data.contracts.push(record);
      return record;
    });
  }
}

/** The fields of SentinelOne Management API v2.1 objects that the report reads. Ids are strings (they exceed 2^53). */

export interface SentinelOneSite {
  id: string;
  name: string;
  accountId?: string;
  accountName?: string;
  state?: string;
}

export interface SentinelOneAgent {
  id: string;
  computerName: string;
  siteId: string;
  osType: string;
  osName?: string;
  agentVersion?: string;
  /** A Boolean by the schema; one recorded answer has "True", so both are read. */
  isUpToDate: boolean | string;
  isActive?: boolean;
  isDecommissioned?: boolean;
  isUninstalled?: boolean;
  infected?: boolean;
  activeThreats?: number;
  lastActiveDate?: string;
  machineType?: string;
}

export interface SentinelOneThreat {
  id: string;
  agentRealtimeInfo: { agentComputerName?: string; agentId?: string; agentOsType?: string; siteId?: string; siteName?: string };
  threatInfo: {
    threatName?: string;
    classification?: string;
    confidenceLevel?: string;
    mitigationStatus?: string;
    incidentStatus?: string;
    analystVerdict?: string;
    createdAt: string;
    identifiedAt?: string;
    updatedAt?: string;
  };
}

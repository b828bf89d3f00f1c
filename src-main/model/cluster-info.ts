// What a scheduler says about its partitions and why jobs wait (Backends page, `cluster info`).

export interface PartitionInfo {
  name: string;
  isDefault: boolean;
  available: boolean;
  cpusAllocated: number;
  cpusIdle: number;
  cpusOther: number;
  cpusTotal: number;
  nodes: number;
  memPerNodeMb: number | null;
  timeLimit: string | null;
  gpusTotal: number;
}

export interface ClusterInfo {
  partitions: PartitionInfo[];
  /** Pending reason → number of pending jobs with it (all users). */
  pendingReasons: Record<string, number>;
}

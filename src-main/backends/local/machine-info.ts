// What `backend info` says about the local backend: this machine as one "partition" (its CPUs, memory, and how
// many of our jobs run now). There is no queue, so there are no pending reasons and no time limit.
import os from 'node:os';
import type { ClusterInfo } from '../../model/cluster-info';

export function localMachineInfo(runningJobs: number, cpuCount = os.availableParallelism(), totalMemBytes = os.totalmem()): ClusterInfo {
  const cpusTotal = Math.max(1, cpuCount);
  // Each running job is counted as one CPU: local tasks are not confined to their declared cpus.
  const cpusAllocated = Math.min(cpusTotal, Math.max(0, runningJobs));
  return {
    partitions: [
      {
        name: 'local',
        isDefault: true,
        available: true,
        cpusAllocated,
        cpusIdle: cpusTotal - cpusAllocated,
        cpusOther: 0,
        cpusTotal,
        nodes: 1,
        memPerNodeMb: Math.round(totalMemBytes / (1024 * 1024)),
        timeLimit: null,
        gpusTotal: 0,
      },
    ],
    pendingReasons: {},
  };
}

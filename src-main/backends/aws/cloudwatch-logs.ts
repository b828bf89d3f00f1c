// Whole log streams from CloudWatch Logs (Batch and ECS write their container output there via awslogs).
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { AwsCalls } from './aws-calls';

/** Every event of a stream, oldest first, one line each; null when the stream does not exist (yet). */
export async function fetchLogStream(client: CloudWatchLogsClient, calls: AwsCalls, group: string, stream: string): Promise<string | null> {
  const lines: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 1000; page++) {
    let out;
    try {
      out = await calls.call(`logs:GetLogEvents group=${group} stream=${stream}${token ? ' next' : ''}`, () =>
        client.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, nextToken: token })),
      );
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') return null;
      throw err;
    }
    for (const e of out.events ?? []) lines.push(e.message ?? '');
    // The forward token repeats once the end of the stream is reached.
    if (!out.nextForwardToken || out.nextForwardToken === token || (out.events ?? []).length === 0) break;
    token = out.nextForwardToken;
  }
  return lines.length ? lines.map((l) => (l.endsWith('\n') ? l : `${l}\n`)).join('') : '';
}

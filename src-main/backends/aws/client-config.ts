// Client settings shared by all AWS clients of a backend: region, the default credential chain (environment,
// shared config/credentials files with `profile`, SSO, instance roles) and an optional endpoint_url for
// LocalStack-style endpoints.
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';

export interface AwsBlock {
  profile?: string;
  region: string;
  endpoint_url?: string;
}

export interface AwsClientConfig {
  region: string;
  credentials: ReturnType<typeof fromNodeProviderChain>;
  endpoint?: string;
  maxAttempts: number;
}

export function awsClientConfig(aws: AwsBlock): AwsClientConfig {
  // The SDK range is pinned to releases that support Node 20 (the CLI's floor); its "Node 22 needed after
  // January 2027" notice would only repeat that on every CLI run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return {
    region: aws.region,
    credentials: fromNodeProviderChain(aws.profile ? { profile: aws.profile } : {}),
    ...(aws.endpoint_url ? { endpoint: aws.endpoint_url } : {}),
    // The SDK retries throttling a little; longer back-off is the backend's (status 'backing_off').
    maxAttempts: 2,
  };
}

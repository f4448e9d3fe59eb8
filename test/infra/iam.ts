/** Reading a function's effective IAM statements out of a synthesized template. */
import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { MediaService } from '../../infra/media-service.ts';
import { type CfnTemplate, resourcesOf } from './synth.ts';

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement of every policy attached to the role of function `name`. */
export function statementsOf(
  json: CfnTemplate,
  stack: Stack,
  service: MediaService,
  name: string,
): Statement[] {
  const fn = service.functions.get(name);
  if (!fn) throw new Error(`no function ${name}`);
  const roleId = stack.getLogicalId(fn.role.node.defaultChild as CfnElement);
  const policies = resourcesOf(json, 'AWS::IAM::Policy').filter(([, p]) =>
    (p.Properties.Roles as Array<{ Ref?: string }>).some((r) => r.Ref === roleId),
  );
  return policies.flatMap(
    ([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

export function actionsOf(statements: Statement[]): Set<string> {
  return new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => asList(s.Action)));
}

/**
 * A resource as readable text: `{Fn::GetAtt:[X,Arn]}` → `<X.Arn>`, joins concatenated
 * (the same flattening cdk-nag uses for its finding ids).
 */
export function flatten(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  if (resource && typeof resource === 'object') {
    const r = resource as Record<string, unknown>;
    if ('Fn::GetAtt' in r) {
      const [id, attr] = r['Fn::GetAtt'] as [string, string];
      return `<${id}.${attr}>`;
    }
    if ('Ref' in r) return `<${String(r.Ref)}>`;
    if ('Fn::Join' in r) {
      const [sep, parts] = r['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(sep);
    }
  }
  return JSON.stringify(resource);
}

// Secrets: the redacting Secret type and exchange credentials from the environment or a secrets directory.
export { Secret, REDACTED, isSecret, redactor } from './secret.ts';
export {
  loadExchangeCredentials, credentialVar, realCredentialsDeps,
  type ExchangeCredentials, type CredentialField, type CredentialsResult, type CredentialsDeps,
} from './credentials.ts';

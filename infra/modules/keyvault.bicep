// Key Vault (RBAC authorization) holding CoachFlow's secrets (SendGrid API key, link signing key,
// SendGrid Event Webhook verification key). The function app reads
// them through Key Vault references resolved by the platform with its managed identity.

@description('Azure region for the vault.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Globally unique Key Vault name (3-24 characters).')
@minLength(3)
@maxLength(24)
param name string

@description('Name of the user-assigned identity (same resource group) that gets Key Vault Secrets User.')
param appIdentityName string

@description('SendGrid API key stored as secret "sendgrid-api-key".')
@secure()
param sendGridApiKey string

@description('HMAC key for signed engagement links, stored as secret "link-signing-key".')
@secure()
param linkSigningKey string

@description('SendGrid Event Webhook verification key (the base64 public key SendGrid shows), stored as secret "sendgrid-webhook-verification-key".')
@secure()
param sendGridWebhookVerificationKey string

@description('Turn on purge protection (cannot be turned off again; recommended for production).')
param enablePurgeProtection bool = false

var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: appIdentityName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    // ARM rejects enablePurgeProtection=false; leave it unset unless it is wanted.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource sendGridSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'sendgrid-api-key'
  properties: {
    value: sendGridApiKey
    contentType: 'text/plain'
  }
}

resource linkSigningSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'link-signing-key'
  properties: {
    value: linkSigningKey
    contentType: 'text/plain'
  }
}

resource sendGridWebhookSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'sendgrid-webhook-verification-key'
  properties: {
    value: sendGridWebhookVerificationKey
    contentType: 'text/plain'
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appIdentity.id, keyVaultSecretsUserRoleId)
  scope: vault
  properties: {
    description: 'Key Vault Secrets User for the CoachFlow function app identity'
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
  }
}

@description('Key Vault name.')
output name string = vault.name

@description('Versionless URI of the SendGrid secret (Key Vault references pick up new versions).')
output sendGridApiKeySecretUri string = sendGridSecret.properties.secretUri

@description('Versionless URI of the link signing secret.')
output linkSigningKeySecretUri string = linkSigningSecret.properties.secretUri

@description('Versionless URI of the SendGrid Event Webhook verification key secret.')
output sendGridWebhookVerificationKeySecretUri string = sendGridWebhookSecret.properties.secretUri

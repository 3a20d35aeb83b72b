// Flex Consumption plan (FC1) + the CoachFlow function app: a .NET isolated worker
// (functions/CoachFlow.Functions) whose HTTP triggers serve the API, the client pages and the
// SendGrid webhook, and whose orchestrators and activities run engagements on Durable Functions
// (task hub on the app's storage account). No FUNCTIONS_WORKER_RUNTIME / WEBSITE_RUN_FROM_PACKAGE
// settings: on Flex those live in functionAppConfig (runtime, deployment storage).

@description('Azure region for the plan and the app.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Tags applied to the function app only (adds azd-service-name).')
param appTags object

@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the function app (becomes <name>.azurewebsites.net).')
param appName string

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity (used by AzureWebJobsStorage and DefaultAzureCredential).')
param identityClientId string

@description('Storage account name used for AzureWebJobsStorage and CoachFlow data.')
param storageAccountName string

@description('Blob endpoint of the storage account (ends with /).')
param blobEndpoint string

@description('Queue endpoint of the storage account.')
param queueEndpoint string

@description('Table endpoint of the storage account.')
param tableEndpoint string

@description('Blob container holding the deployment package.')
param deploymentContainerName string

@description('Application Insights component the app reports to.')
param applicationInsightsName string

@description('Versionless Key Vault secret URI of the SendGrid API key.')
param sendGridApiKeySecretUri string

@description('Versionless Key Vault secret URI of the link signing key.')
param linkSigningKeySecretUri string

@description('Versionless Key Vault secret URI of the SendGrid Event Webhook verification key.')
param sendGridWebhookVerificationKeySecretUri string

@description('Public https address of the app (its custom domain, or https://<app>.azurewebsites.net): emailed links are built on it.')
param publicBaseUrl string

@description('Default From address of a firm\'s mail (a SendGrid verified sender, or an address on an authenticated domain).')
param senderEmail string

@description('Default From name; empty: each firm\'s mail is from the firm\'s name.')
param senderName string

@description('Domains a firm may set its own sender on (those authenticated in SendGrid).')
param allowedSenderDomains string[]

@description('Prefix of CoachFlow\'s tables, containers and queues (letters and digits).')
param storagePrefix string

@description('Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Upper bound on instances the app may scale out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Durable Functions task hub name (host.json reads it from the CoachFlowTaskHub app setting).')
param taskHubName string

// A list binds from indexed keys: CoachFlow__Email__AllowedSenderDomains__0, __1, …
var senderDomainSettings = [
  for (domain, i) in allowedSenderDomains: { name: 'CoachFlow__Email__AllowedSenderDomains__${i}', value: domain }
]

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-11-01' = {
  name: appName
  location: location
  tags: appTags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the same identity that owns the data-plane roles.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: concat(
        [
          // Host storage over Entra ID, no account key: leases and the Durable Functions task hub
          // (control and work-item queues, history and instance tables, lease blobs).
          { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
          { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
          { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
          { name: 'AzureWebJobsStorage__blobServiceUri', value: blobEndpoint }
          { name: 'AzureWebJobsStorage__queueServiceUri', value: queueEndpoint }
          { name: 'AzureWebJobsStorage__tableServiceUri', value: tableEndpoint }
          // The task hub the engagements run in (host.json: "hubName": "%CoachFlowTaskHub%").
          { name: 'CoachFlowTaskHub', value: taskHubName }
          // The queue cohort import batches go through (the CohortImportBatch trigger: "%CoachFlowCohortQueue%"):
          // {CoachFlow:Storage:Prefix}cohort-imports.
          { name: 'CoachFlowCohortQueue', value: '${storagePrefix}cohort-imports' }
          // When the DataRightsSweep timer trigger runs (NCRONTAB: "%CoachFlowDataRightsSchedule%"): it finishes erasures
          // that stopped half-way and erases engagements past their firm's retention.
          { name: 'CoachFlowDataRightsSchedule', value: '0 */10 * * * *' }
          // When the EngineSweep timer trigger runs (NCRONTAB: "%CoachFlowEngineSweepSchedule%"): engagements the read model says
          // are running while their orchestration failed, was terminated or is missing are started again and reported.
          { name: 'CoachFlowEngineSweepSchedule', value: '0 */5 * * * *' }
          // The queue webhook deliveries are woken through (the WebhookDeliveries trigger: "%CoachFlowWebhookQueue%"):
          // {CoachFlow:Storage:Prefix}webhook-deliveries.
          { name: 'CoachFlowWebhookQueue', value: '${storagePrefix}webhook-deliveries' }
          // DefaultAzureCredential in the worker picks the user-assigned identity from this.
          { name: 'AZURE_CLIENT_ID', value: identityClientId }
          { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsights.properties.ConnectionString }
          // CoachFlow's own options, by the sections the app binds (functions/CoachFlow.Web/Hosting/ProductionSettings.cs):
          // outside Development the app refuses to start without the public https URL, SendGrid, its keys and the sender.
          // infra's test (tests/CoachFlow.Functions.Tests/InfraConfigurationTests.cs) builds the app with exactly these.
          { name: 'CoachFlow__PublicBaseUrl', value: publicBaseUrl }
          { name: 'CoachFlow__Storage__Prefix', value: storagePrefix }
          { name: 'CoachFlow__Storage__BlobUri', value: blobEndpoint }
          { name: 'CoachFlow__Storage__QueueUri', value: queueEndpoint }
          { name: 'CoachFlow__Storage__TableUri', value: tableEndpoint }
          { name: 'CoachFlow__Email__Transport', value: 'sendgrid' }
          { name: 'CoachFlow__Email__SenderEmail', value: senderEmail }
          { name: 'CoachFlow__Email__SenderName', value: senderName }
          { name: 'CoachFlow__SendGrid__ApiKey', value: '@Microsoft.KeyVault(SecretUri=${sendGridApiKeySecretUri})' }
          {
            name: 'CoachFlow__SendGrid__WebhookPublicKey'
            value: '@Microsoft.KeyVault(SecretUri=${sendGridWebhookVerificationKeySecretUri})'
          }
          { name: 'CoachFlow__Links__SigningKey', value: '@Microsoft.KeyVault(SecretUri=${linkSigningKeySecretUri})' }
        ],
        senderDomainSettings
      )
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      // .NET 10 isolated worker (the app targets net10.0).
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
    }
  }
}

@description('Function app name.')
output name string = app.name

@description('Default host name of the app.')
output defaultHostName string = app.properties.defaultHostName

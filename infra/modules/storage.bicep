// Storage account for the Functions host (AzureWebJobsStorage: leases, and the Durable
// Functions task hub's queues, tables and blobs), the Flex deployment package container
// and CoachFlow's own Tables/Queues/Blobs. Shared keys are disabled:
// every caller authenticates with Entra ID (the app's managed identity).

@description('Azure region for the storage account.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Globally unique storage account name (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Storage redundancy SKU.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param skuName string = 'Standard_LRS'

@description('Name of the user-assigned identity (same resource group) that gets data-plane roles on this account.')
param appIdentityName string

// Built-in role definition ids (stable GUIDs, identical in every tenant).
var storageRoles = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: appIdentityName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource roleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in items(storageRoles): {
    name: guid(storage.id, appIdentity.id, role.value)
    scope: storage
    properties: {
      description: '${role.key} for the CoachFlow function app identity'
      principalId: appIdentity.properties.principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.value)
    }
  }
]

@description('Storage account name.')
output name string = storage.name

@description('Blob service endpoint, e.g. https://<name>.blob.core.windows.net/')
output blobEndpoint string = storage.properties.primaryEndpoints.blob

@description('Queue service endpoint.')
output queueEndpoint string = storage.properties.primaryEndpoints.queue

@description('Table service endpoint.')
output tableEndpoint string = storage.properties.primaryEndpoints.table

@description('Name of the deployment package container.')
output deploymentContainerName string = deploymentContainer.name

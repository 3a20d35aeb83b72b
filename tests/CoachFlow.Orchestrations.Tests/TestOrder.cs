using CoachFlow.Testing;

// Classes that wait most on the engine's timers start first (see docs/testing.md).
[assembly: TestCollectionOrderer(LongestFirst.TypeName, LongestFirst.AssemblyName)]

namespace CoachFlow.Documents.Tests;

/// <summary>What greetings call the client, whatever way a list wrote their name.</summary>
public class FirstNameTests
{
    [Theory]
    [InlineData("Ana Souza", "Ana")]
    [InlineData("Roe, Richard", "Richard")]
    [InlineData("Roe,Richard Paul", "Richard")]
    [InlineData("Madonna", "Madonna")]
    [InlineData("Roe,", "Roe")]
    [InlineData("  Jane   Doe ", "Jane")]
    public void Given_a_client_name_When_greeting_Then_the_first_given_name_is_used_without_punctuation(string name, string first) =>
        Assert.Equal(first, Reading.FirstName(name));
}

using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VPNLens.Core.Nodes;
using VPNLens.Core.Runs;

namespace VPNLens.Web.Persistence.Configurations;

internal sealed class RunConfiguration : IEntityTypeConfiguration<Run>
{
    public void Configure(EntityTypeBuilder<Run> builder)
    {
        builder.HasKey(r => r.Id);
        builder.Property(r => r.PublicToken).HasMaxLength(64);
        builder.HasIndex(r => r.PublicToken).IsUnique();
        builder.Property(r => r.RequesterEmail).HasMaxLength(254);
        builder.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.EmailStatus).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(r => new { r.State, r.QueuedAt });
        builder.HasIndex(r => r.QueuedAt);
        builder.HasIndex(r => r.QueueSequence).IsUnique();
        // Covers the history series: a node's finished runs in order, read without the run rows and their results body.
        builder.HasIndex(r => new { r.NodeId, r.FinishedAt, r.State, r.Protocols, r.Id });
        builder.HasOne<Node>().WithMany().HasForeignKey(r => r.NodeId).OnDelete(DeleteBehavior.Restrict);

        builder.Property(r => r.Protocols)
            .HasConversion(
                v => string.Join(',', v),
                v => v.Split(',', StringSplitOptions.RemoveEmptyEntries).ToList(),
                new ValueComparer<List<string>>((a, b) => a!.SequenceEqual(b!), v => v.Aggregate(0, (h, s) => HashCode.Combine(h, s)), v => v.ToList()))
            .HasMaxLength(200);

        builder.Property(r => r.Settings)
            .HasConversion(
                v => JsonSerializer.Serialize(v, JsonSerializerOptions.Web),
                v => JsonSerializer.Deserialize<RunSettings>(v, JsonSerializerOptions.Web) ?? new RunSettings());
    }
}

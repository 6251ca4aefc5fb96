using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;

namespace VPNLens.Web.Persistence.Configurations;

internal sealed class ProtocolResultConfiguration : IEntityTypeConfiguration<ProtocolResult>
{
    public void Configure(EntityTypeBuilder<ProtocolResult> builder)
    {
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Protocol).HasMaxLength(32);
        builder.Property(r => r.ErrorPhase).HasMaxLength(32);
        builder.Property(r => r.ErrorMessage).HasMaxLength(4000);
        builder.HasIndex(r => new { r.RunId, r.Protocol }).IsUnique();
        // Covers the history series' join: each result's figures read without its row and the JSON it carries. SQLite
        // prefers it to the unique index above only with statistics (SqliteStatisticsSweeper).
        builder.HasIndex(r => new
        {
            r.RunId,
            r.Protocol,
            r.Succeeded,
            r.UploadMedianBitsPerSecond,
            r.DownloadMedianBitsPerSecond,
            r.LatencyIdleP50Ms,
            r.UdpJitterMs,
            r.UdpLossPercent,
            r.SetupMs,
            r.RecoveryMs,
        }).HasDatabaseName("IX_ProtocolResults_Figures");
        // A node × protocol series in one range scan, latest first, its figures from the index alone: no lookup by run id
        // for each of a year's results.
        builder.HasIndex(r => new
        {
            r.NodeId,
            r.Protocol,
            r.FinishedAt,
            r.Succeeded,
            r.UploadMedianBitsPerSecond,
            r.DownloadMedianBitsPerSecond,
            r.LatencyIdleP50Ms,
            r.UdpJitterMs,
            r.UdpLossPercent,
            r.SetupMs,
            r.RecoveryMs,
            r.RunId,
        }).HasDatabaseName("IX_ProtocolResults_Series");
        builder.HasOne<Run>().WithMany().HasForeignKey(r => r.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}

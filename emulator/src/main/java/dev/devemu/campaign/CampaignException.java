package dev.devemu.campaign;

/**
 * A campaign that cannot start or go on because of its input: a results folder that belongs to another campaign,
 * a damaged results file, a target no run can reach. The command exits with code 2 and this message.
 */
public final class CampaignException extends RuntimeException {
  public CampaignException(String message) {
    super(message);
  }
}

"""Pydantic models of groups, the leaderboard and kept test predictions (public API and the worker's upload)."""

from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator

from backend.schemas import MAX_REVIEW_CHARS, RunPublic, StoredInt, WorkerName, stored_text

MAX_TEST_REVIEWS = 100_000   # more than any dataset's test split (aclImdb and Keras IMDB: 25,000)
MAX_WRONG_REVIEWS = 50


class SpreadPublic(BaseModel):
    """Mean, sample standard deviation and 95 % Student-t confidence interval of the mean over n runs.

    sd and the interval are null for n = 1; everything but n is null for n = 0.
    """

    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None


class GroupPublic(BaseModel):
    """Runs with the same contestant, dataset and hyperparameters but the seed, and their statistics.

    `best_val_acc` and `test_acc` are over the group's succeeded runs; `n` counts every member.
    """

    id: str = Field(description="The group id: a hash of contestant, dataset and hyperparameters without the seed.")
    architecture: str
    dataset: str
    hyperparams: dict[str, Any] = Field(description="The shared hyperparameters (the seed left out).")
    n: int = Field(description="Member runs matching the filters, whatever their status.")
    n_finished: int = Field(description="Members that succeeded.")
    best_val_acc: SpreadPublic
    test_acc: SpreadPublic
    seconds_per_epoch: float | None = Field(description="Mean over the succeeded runs, in seconds.")
    param_count: int
    run_ids: list[int] = Field(description="The member runs, oldest first.")


class GroupsPublic(BaseModel):
    """One page of groups, newest member first, and how many match in all."""

    data: list[GroupPublic]
    count: int


class GroupDetailPublic(GroupPublic):
    """A group with its member runs."""

    runs: list[RunPublic]


class CurvePointPublic(BaseModel):
    """One epoch of a group's learning curve over the `n` runs that reached it."""

    epoch: int
    n: int
    train_loss: SpreadPublic
    train_acc: SpreadPublic
    val_loss: SpreadPublic
    val_acc: SpreadPublic


class GroupCurvePublic(BaseModel):
    """A group's mean learning curve with its spread per epoch."""

    group: GroupPublic
    points: list[CurvePointPublic]


class SignificancePublic(BaseModel):
    """A two-sided test between the leader and another contestant, and what it means."""

    leader: str
    other: str
    test: str = Field(description="\"Welch's t-test\" (both groups N >= 2) or \"McNemar's exact test\" (the two runs' test predictions).")
    statistic: float | None = Field(description="Welch: t; McNemar: reviews only the leader got right.")
    p_value: float
    significant: bool = Field(description="p < 0.05.")
    detail: str
    reading: str = Field(description="In words: 'cnn ahead of lstm, p = 0.003' or 'no significant difference ...'.")


class LeaderboardEntry(BaseModel):
    """A contestant's best group on the dataset (by mean test accuracy) and its best run."""

    rank: int
    architecture: str
    title: str
    group: GroupPublic
    single_seed: bool = Field(description="The group has one qualifying run: no spread, no interval.")
    best_run: RunPublic


class LeaderboardDataset(BaseModel):
    """A dataset and how many runs qualify for its leaderboard."""

    name: str
    qualifying_runs: int


class LeaderboardPublic(BaseModel):
    """One dataset's leaderboard: succeeded runs with a test figure, grouped, ranked by mean test accuracy."""

    dataset: str | None = Field(description="The dataset shown; null when no run qualifies anywhere.")
    datasets: list[LeaderboardDataset]
    entries: list[LeaderboardEntry]
    significance: list[SignificancePublic] = Field(description="The leader against every other contestant.")


Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class WrongReview(BaseModel):
    """A test review the run got wrong with high confidence."""

    index: StoredInt = Field(description="Position in the dataset's test order.")
    label: int = Field(ge=0, le=1, description="The true label: 1 positive, 0 negative.")
    probability: Probability = Field(description="The run's probability that the review is positive.")
    text: stored_text(MAX_REVIEW_CHARS) = Field(description="The review as the model read it.")


class PredictionsUpload(BaseModel):
    """The chosen weights' test predictions, uploaded by the run's worker beside its checkpoint."""

    worker: WorkerName
    probabilities: list[Probability] = Field(
        min_length=1, max_length=MAX_TEST_REVIEWS,
        description="One probability of 'positive' per test review, in the dataset's test order.")
    labels: list[Annotated[int, Field(ge=0, le=1)]] = Field(
        min_length=1, max_length=MAX_TEST_REVIEWS, description="The true labels in the same order.")
    wrong: list[WrongReview] = Field(
        default_factory=list, max_length=MAX_WRONG_REVIEWS,
        description="The most confidently wrong test reviews with their text (empty when the dataset has none).")

    @model_validator(mode="after")
    def _same_length(self) -> "PredictionsUpload":
        if len(self.labels) != len(self.probabilities):
            raise ValueError(f"labels has {len(self.labels)} items but probabilities has {len(self.probabilities)}; "
                             "send one label per test review")
        for review in self.wrong:
            if review.index >= len(self.probabilities):
                raise ValueError(f"wrong review index {review.index} is beyond the {len(self.probabilities)} test reviews")
        return self


class ConfusionPublic(BaseModel):
    """Counts at the 0.5 threshold (positive = 1)."""

    tn: int
    fp: int
    fn: int
    tp: int


class RocPublic(BaseModel):
    """The ROC curve (at most ~500 points) and its area; auc is null when the labels hold one class only."""

    fpr: list[float]
    tpr: list[float]
    auc: float | None


class ReliabilityPublic(BaseModel):
    """A reliability diagram: per non-empty probability bin, the mean probability, the share positive, the count."""

    mean_probability: list[float]
    fraction_positive: list[float]
    count: list[int]


class PredictionsPublic(BaseModel):
    """What a run's kept test predictions say: confusion matrix, ROC, calibration, its worst errors."""

    run_id: int
    n: int
    accuracy: float
    confusion: ConfusionPublic
    roc: RocPublic
    reliability: ReliabilityPublic
    wrong: list[WrongReview]


class DisagreementReview(BaseModel):
    """A test review on which two runs give different verdicts."""

    index: int
    label: int
    probabilities: list[float] = Field(description="Each run's probability of 'positive', in the order asked.")
    text: str | None = Field(description="Its text when either run kept it (its most confidently wrong reviews).")


class DisagreementPublic(BaseModel):
    """How often two runs disagree on the same test reviews, McNemar's test, and the reviews."""

    run_ids: list[int]
    n: int
    disagreements: int
    rate: float
    only_first_right: int
    only_second_right: int
    test: SignificancePublic
    reviews: list[DisagreementReview] = Field(description="Up to 50, the largest gap in probability first.")

#include "visualizer/view.h"

#include "visualizer/cluster_view.h"
#include "visualizer/lock_view.h"
#include "visualizer/log_view.h"
#include "visualizer/spacetime_view.h"

namespace etcetera::viz {

std::vector<std::unique_ptr<View>> standard_views() {
  std::vector<std::unique_ptr<View>> views;
  views.push_back(std::make_unique<ClusterView>());
  views.push_back(std::make_unique<LogView>());
  views.push_back(std::make_unique<SpacetimeView>());
  views.push_back(std::make_unique<LockView>());
  return views;
}

}  // namespace etcetera::viz
